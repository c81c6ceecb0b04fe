"""The team's messages and letters pages, at the top layer beside reporting and privacy: they
read the outbox, the people its messages are to (incidents) and the answer links in letters
(feedback.tokens), and nothing imports them but the root URL configuration.

- `views`: what failed, what is waiting, what was cancelled; the letters to print and post.
- `letters`: printing a letter, the one moment its answer link is made.
"""
