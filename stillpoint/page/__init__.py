"""The calm page: talk, breathe and journal in a browser, on this computer or a phone at home."""
