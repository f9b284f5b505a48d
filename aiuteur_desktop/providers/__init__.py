"""Clients for cloud and offline model services; they implement the Protocols declared in core."""
