"""Reactions on our Telegram posts as a share signal (docs/architecture.md, "Readers").

Telegram reports a channel post's anonymous reactions as new totals
(``message_reaction_count``) and a group's as one user's change (``message_reaction``). Each
post of ours is remembered with its article when it is posted (the ledger's message ids, by the
task layer); a total becomes ``ShareTracker.record_snapshot`` engagement, which stores the
latest absolute count and hands trending only growth past the highest seen, so an updated
count is never counted twice. A group's per-user changes are kept as one reaction per user
and their number is the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis

from distributor.audience.shares import ShareTracker, SnapshotDelta
from distributor.keys import Keys
from distributor.publishing.articles import ArticleStore

POST_TTL_S = 30 * 86_400  # reactions on older posts are not followed


def chat_keys(chat_id: int, username: str | None) -> list[str]:
    """How a chat may have been named as a destination target: its id, its ``@username``."""
    keys = [str(chat_id)]
    if username:
        keys.append("@" + username.lstrip("@").lower())
    return keys


def target_key(target: str) -> str:
    """A routing target as stored: ``@names`` lower-cased, ids as they are."""
    return target.lower() if target.startswith("@") else target


class Reactions:
    """Our posts' articles and the reactions on them."""

    def __init__(
        self, redis: Redis, keys: Keys, shares: ShareTracker, articles: ArticleStore
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._shares = shares
        self._articles = articles

    def remember(self, target: str, message_ids: Iterable[str], article_id: str) -> None:
        """A post of ``article_id`` stands at ``target`` (a chat id or ``@name``)."""
        pipe = self._redis.pipeline(transaction=False)
        for message_id in message_ids:
            key = self._keys.channel_post(target_key(target), int(message_id))
            pipe.set(key, article_id, ex=POST_TTL_S)
        pipe.execute()

    def counted(
        self, chat_id: int, username: str | None, message_id: int, total: int
    ) -> SnapshotDelta | None:
        """A post's reaction total changed; None when the post is not one of ours."""
        found = self._post(chat_id, username, message_id)
        if found is None:
            return None
        chat, article_id = found
        return self._snapshot(chat, message_id, article_id, total)

    def reacted(
        self, chat_id: int, username: str | None, message_id: int, user_id: int, emoji: list[str]
    ) -> SnapshotDelta | None:
        """One user's reaction on a post changed (empty: removed); None when not ours."""
        found = self._post(chat_id, username, message_id)
        if found is None:
            return None
        chat, article_id = found
        key = self._keys.post_reactors(chat, message_id)
        pipe = self._redis.pipeline()
        if emoji:
            pipe.hset(key, str(user_id), ",".join(emoji))
        else:
            pipe.hdel(key, str(user_id))
        pipe.expire(key, POST_TTL_S)
        pipe.hlen(key)
        total = int(pipe.execute()[-1])
        return self._snapshot(chat, message_id, article_id, total)

    def _post(self, chat_id: int, username: str | None, message_id: int) -> tuple[str, str] | None:
        for chat in chat_keys(chat_id, username):
            article_id = self._redis.get(self._keys.channel_post(chat, message_id))
            if article_id:
                return chat, str(article_id)
        return None

    def _snapshot(
        self, chat: str, message_id: int, article_id: str, total: int
    ) -> SnapshotDelta | None:
        article = self._articles.get(article_id)
        if article is None or not self._articles.is_published(article_id):
            return None
        post = f"{chat}:{message_id}"
        return self._shares.record_snapshot(article, "telegram", post, shares=0, engagement=total)
