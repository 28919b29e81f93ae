"""One sandbox's mutable world: config, clock, both platforms' state, limits, faults."""

from __future__ import annotations

from distributor.sandbox.clock import Clock
from distributor.sandbox.config import SandboxConfig
from distributor.sandbox.faults import FaultBook
from distributor.sandbox.flood import FloodControl
from distributor.sandbox.telegram.state import TelegramState
from distributor.sandbox.telegram.webhook import WebhookDelivery
from distributor.sandbox.x.limits import RateWindows
from distributor.sandbox.x.state import XState


class Sandbox:
    """Everything the routes share; ``reset`` returns to the initial configuration."""

    def __init__(self, config: SandboxConfig) -> None:
        self.initial = config.model_copy(deep=True)
        self.clock = Clock()
        self.faults = FaultBook()
        self.telegram = TelegramState(config.chats)
        self.webhooks = WebhookDelivery(self.telegram, self.clock)
        self.reset()

    def reset(self) -> None:
        """Forget every chat, message, update, tweet, fault and window; restart the clock."""
        self.config = self.initial.model_copy(deep=True)
        self.clock.offset = 0.0
        self.faults.clear()
        self.webhooks.stop()
        self.telegram = TelegramState(self.config.chats)
        self.webhooks = WebhookDelivery(self.telegram, self.clock)
        self.flood = FloodControl(self.config.flood)
        self.x = XState()
        self.x_windows = RateWindows()
