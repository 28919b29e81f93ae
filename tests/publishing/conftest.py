"""Publishing fixtures shared by the reconciler's tests: the article store and the seed
article saved in it (test_delivery.py keeps its own unsaved ``article``)."""

from __future__ import annotations

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.articles import ArticleStore
from tests.support.seed import seed_article_dict


@pytest.fixture
def articles(redis_client: Redis, keys: Keys) -> ArticleStore:
    """The article store on this test's namespace."""
    return ArticleStore(redis_client, keys)


@pytest.fixture
def article(articles: ArticleStore) -> Article:
    """The seed article, saved (the reconciler reads it back)."""
    stored = Article.model_validate(seed_article_dict())
    articles.save(stored)
    return stored
