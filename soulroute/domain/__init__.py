"""The ticket domain: validation, rules and operations. Plain Python, no Reflex imports."""
