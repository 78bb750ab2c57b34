"""``arkiv serve``: the web application over an archive (``web.app.create_app``) and its bind rules
(``web.serve``). Templates and static files ship inside this package."""
