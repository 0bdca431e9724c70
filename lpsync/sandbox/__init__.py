"""A local stand-in for the Launchpad devel web service (stdlib HTTP server).

The real, unmodified launchpadlib talks to it over HTTP. ``model`` holds the data,
``wadl`` the one table of resource types, ``resources`` the routing and JSON,
``server`` the HTTP side with fault injection and the request log.
"""

from lpsync.sandbox.faults import RequestRecord
from lpsync.sandbox.model import DataError, SandboxData
from lpsync.sandbox.server import Sandbox

__all__ = ["DataError", "RequestRecord", "Sandbox", "SandboxData"]
