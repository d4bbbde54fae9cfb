"""After a report: the anonymous thread between staff and the reporter."""
