"""Stillpoint's mind and memory: language-model backends, the companion's policy and prompts,
reply guards, safety, practices and the on-disk store. Knows nothing about audio (never imports
`voice`); it takes text in and gives text out."""
