"""``headerscope scan``: many messages (mbox, Maildir, .eml trees, .msg) in parallel, streamed."""
