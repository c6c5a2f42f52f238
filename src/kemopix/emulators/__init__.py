"""Offline emulators of Kemono and Pixiv, served over real HTTP on 127.0.0.1."""
