"""The SQLite schema of the emulator's state (one database per emulator, in memory by default)."""

from __future__ import annotations

__all__ = ["SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"

# Column notes: ``restrict_`` avoids the SQL keyword; dates are ISO strings in JST
# (``2019-07-01T00:00:00+09:00``); ``upload_path`` is the ``YYYY/MM/DD/hh/mm/ss`` of image URLs.
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    password TEXT,
    mail_address TEXT NOT NULL DEFAULT '',
    is_premium INTEGER NOT NULL DEFAULT 0,
    x_restrict INTEGER NOT NULL DEFAULT 0,
    show_ai INTEGER NOT NULL DEFAULT 1,
    avatar TEXT NOT NULL DEFAULT '',
    profile TEXT NOT NULL DEFAULT '{}',
    workspace TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
);
CREATE TABLE refresh_tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL);
CREATE TABLE tags (name TEXT PRIMARY KEY, en TEXT, zh TEXT);
CREATE TABLE illusts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    caption TEXT NOT NULL DEFAULT '',
    restrict_ INTEGER NOT NULL DEFAULT 0,
    x_restrict INTEGER NOT NULL DEFAULT 0,
    sanity_level INTEGER NOT NULL DEFAULT 2,
    create_date TEXT NOT NULL,
    upload_path TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    exts TEXT NOT NULL,
    series_id INTEGER,
    total_view INTEGER NOT NULL DEFAULT 0,
    total_bookmarks INTEGER NOT NULL DEFAULT 0,
    ai_type INTEGER NOT NULL DEFAULT 0,
    book_style INTEGER NOT NULL DEFAULT 0,
    tools TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX illusts_user ON illusts (user_id, id);
CREATE TABLE illust_tags (
    illust_id INTEGER NOT NULL, pos INTEGER NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (illust_id, pos)
);
CREATE TABLE ugoira_frames (
    illust_id INTEGER NOT NULL, idx INTEGER NOT NULL, delay INTEGER NOT NULL,
    PRIMARY KEY (illust_id, idx)
);
CREATE TABLE illust_series (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT NOT NULL,
    caption TEXT NOT NULL DEFAULT '', create_date TEXT NOT NULL
);
CREATE TABLE novels (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    caption TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    restrict_ INTEGER NOT NULL DEFAULT 0,
    x_restrict INTEGER NOT NULL DEFAULT 0,
    is_original INTEGER NOT NULL DEFAULT 0,
    create_date TEXT NOT NULL,
    upload_path TEXT NOT NULL,
    cover TEXT NOT NULL,
    series_id INTEGER,
    series_order INTEGER,
    total_view INTEGER NOT NULL DEFAULT 0,
    total_bookmarks INTEGER NOT NULL DEFAULT 0,
    ai_type INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX novels_user ON novels (user_id, id);
CREATE TABLE novel_tags (
    novel_id INTEGER NOT NULL, pos INTEGER NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (novel_id, pos)
);
CREATE TABLE novel_series (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT NOT NULL,
    caption TEXT NOT NULL DEFAULT '', is_original INTEGER NOT NULL DEFAULT 0,
    is_concluded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    work_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    comment TEXT NOT NULL,
    date TEXT NOT NULL,
    parent_id INTEGER
);
CREATE INDEX comments_work ON comments (kind, work_id, id);
CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    work_id INTEGER NOT NULL,
    restrict_ TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    UNIQUE (user_id, kind, work_id)
);
CREATE INDEX bookmarks_work ON bookmarks (kind, work_id);
CREATE TABLE follows (
    follower_id INTEGER NOT NULL,
    followee_id INTEGER NOT NULL,
    restrict_ TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id);
"""
