"""Platform connectors and the supervisor that keeps them alive."""

from streamsuites.connectors.base import (
    Connector,
    ConnectorFactory,
    ConnectorLink,
    ConnectorSpec,
    IntakeClosedError,
)

__all__ = ["Connector", "ConnectorFactory", "ConnectorLink", "ConnectorSpec", "IntakeClosedError"]
