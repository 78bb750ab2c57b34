"""The sample corpus: a generator of realistic agendas and minutes (PDF, DOCX) with gold records."""
