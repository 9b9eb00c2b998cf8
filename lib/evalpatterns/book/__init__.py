"""Building the book and running one chapter, one concern per module.

- :mod:`.plan`: parameters, data checks, content keys (what a build would execute, and whether anything changed);
- :mod:`.execute`: chapters executed by papermill in warm kernels, in parallel worker processes;
- :mod:`.results`: the values, tables and figures read back from an executed notebook;
- :mod:`.stage`: the Jupyter Book source folder laid out for the renderer, and staging folders;
- :mod:`.outputs`: which output folders may be written, their marker file, and the lock on them;
- :mod:`.publish`: ``build``: everything above in order, and the new book put in place of the old;
- :mod:`.run`: ``run``: one chapter on a researcher's data, into its output folder;
- :mod:`.interrupt`: signals (Ctrl-C, SIGTERM) and the processes a build starts.

:mod:`evalpatterns.build` re-exports the functions chapters and scripts call.
"""
