"""Answering layer: turns a citizen's question (and the conversation so far) into the reply they read.

It sits above retrieval and knowledge and below the web app and the CLI: the bot's actions, the
staff console and ``POST /api/answer`` all ask ``AnswerComposer`` what an answer is.
"""
