"""Local fake HTTP servers that speak the providers' wire formats and inject faults."""
