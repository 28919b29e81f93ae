"""Publishers: one per platform, behind the Publisher protocol in ``base``."""
