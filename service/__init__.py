"""What a server process holds beside the page script: the run service and its live route."""
