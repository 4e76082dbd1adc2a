-- Per-server rate assumptions and settings, as text; the calculation module parses and range-checks them.
CREATE TABLE rate_overrides (
    guild_id   INTEGER NOT NULL CHECK (guild_id > 0),
    key        TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    value      TEXT    NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
) STRICT;

-- Standing messages the bot posted. AUTOINCREMENT: moderators see these ids, so a removed
-- explainer's id is never handed to a new one.
CREATE TABLE explainers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL CHECK (guild_id > 0),
    channel_id   INTEGER NOT NULL CHECK (channel_id > 0),
    message_id   INTEGER NOT NULL UNIQUE CHECK (message_id > 0),
    topic        TEXT    NOT NULL CHECK (length(topic) BETWEEN 1 AND 64),
    content_hash TEXT    NOT NULL CHECK (length(content_hash) BETWEEN 1 AND 128),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone')),
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    created_at   INTEGER NOT NULL,
    edited_at    INTEGER,
    gone_reason  TEXT    CHECK (length(gone_reason) BETWEEN 1 AND 200),
    CHECK ((status = 'gone') = (gone_reason IS NOT NULL))
) STRICT;

CREATE INDEX explainers_guild ON explainers (guild_id);

-- A server's own FAQ. NOCASE on the column makes uniqueness and every lookup by name ignore
-- (ASCII) case alike.
CREATE TABLE faq_entries (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL CHECK (guild_id > 0),
    name       TEXT    NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 100),
    question   TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    answer     TEXT    NOT NULL CHECK (length(answer) BETWEEN 1 AND 4000),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (guild_id, name)
) STRICT;

-- What people asked, for moderators' insights. No user ids, by design; guild_id is NULL for
-- DMs and the command line. Rows older than the retention period are pruned.
CREATE TABLE question_log (
    id       INTEGER PRIMARY KEY,
    guild_id INTEGER CHECK (guild_id > 0),
    question TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 500),
    topic    TEXT    CHECK (length(topic) BETWEEN 1 AND 64),
    kind     TEXT    NOT NULL CHECK (kind IN ('answer', 'estimate', 'unknown')),
    asked_at INTEGER NOT NULL CHECK (asked_at >= 0)
) STRICT;

CREATE INDEX question_log_guild_time ON question_log (guild_id, asked_at);
CREATE INDEX question_log_time ON question_log (asked_at);
