"""Account pages: signing up and the profile (profile.py), signing in and passwords (signin.py)."""
