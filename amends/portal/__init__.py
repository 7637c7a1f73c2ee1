"""The customers' side: the public complaint form, sign-in without passwords and the case
folder. Interface only: sign-in tokens are its own records; cases are reached through the
cases funnels for customers."""
