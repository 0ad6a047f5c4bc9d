"""Archives of recorded texts kept as git histories (Open Terms Archive's "versions"
repositories), imported commit by commit.

    git.py       reading a repository with the git CLI (pure: no Django)
    commits.py   what a commit says: its kind, its snapshot, its document (pure)
    captures.py  whether a recorded text is the document at all (pure)
    importing.py the import itself: versions, corrections, checks, refusals (Django)
"""
