"""SoulRoute: support tickets that connect students with mental-health counselors."""
