"""The audience side: share clicks, share counts, trending boards, the popular list, the digest
and X metrics. Fed by the spine's results, never called by it."""
