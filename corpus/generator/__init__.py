"""Generator of realistic Danish municipal agendas and minutes with gold records.

The modules, in the order the data flows:

* ``vocabulary`` – municipalities, committees, people, case topics and phrases.
* ``content`` – builds the abstract meetings (items, sections, decisions) from a seed.
* ``layout`` – the paragraph model shared by both renderers.
* ``families`` – one function per layout family: meeting data -> paragraphs.
* ``pdf_render`` / ``docx_render`` – write the file and report the page of every paragraph.
* ``gold`` – the gold ``DocumentRecord`` built from the same data and the page map.
* ``archive`` – plans and writes a whole archive (``corpus.generate``).
"""
