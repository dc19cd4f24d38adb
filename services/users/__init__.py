"""The users service: users, user types, school functions and rights, login, student events."""
