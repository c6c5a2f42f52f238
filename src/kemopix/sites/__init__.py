"""Sans-I/O site protocols: URLs, wire models and flows for each site (pixiv, kemono)."""
