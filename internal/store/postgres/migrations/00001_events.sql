-- The event log, its head, the store's settings and the encrypted
-- revisions. Kinds are free text so that later kinds need no migration.

-- +goose Up
CREATE TABLE dbguard_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE dbguard_head (
    id  SMALLINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac BYTEA NOT NULL
);
INSERT INTO dbguard_head (id, seq, mac) VALUES (1, 0, '\x'::bytea);

CREATE TABLE dbguard_events (
    seq          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    time_ns      BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_origin TEXT NOT NULL,
    body         TEXT NOT NULL,
    mac          BYTEA NOT NULL
);
CREATE INDEX dbguard_events_kind ON dbguard_events (kind, seq);
CREATE INDEX dbguard_events_time ON dbguard_events (time_ns);

CREATE TABLE dbguard_event_profiles (
    seq      BIGINT NOT NULL,
    pos      INTEGER NOT NULL,
    file     TEXT NOT NULL,
    key_path TEXT NOT NULL,
    service  TEXT NOT NULL,
    env      TEXT NOT NULL,
    PRIMARY KEY (seq, pos)
);
CREATE INDEX dbguard_event_profiles_profile ON dbguard_event_profiles (file, key_path, seq);
CREATE INDEX dbguard_event_profiles_service ON dbguard_event_profiles (service, seq);
CREATE INDEX dbguard_event_profiles_env ON dbguard_event_profiles (env, seq);

CREATE TABLE dbguard_revisions (
    id       TEXT PRIMARY KEY,
    file     TEXT NOT NULL,
    time_ns  BIGINT NOT NULL,
    key_id   TEXT NOT NULL,
    nonce    BYTEA NOT NULL,
    sealed   BYTEA NOT NULL,
    profiles TEXT NOT NULL
);
CREATE INDEX dbguard_revisions_file ON dbguard_revisions (file, time_ns);

-- +goose Down
DROP TABLE dbguard_revisions;
DROP TABLE dbguard_event_profiles;
DROP TABLE dbguard_events;
DROP TABLE dbguard_head;
DROP TABLE dbguard_meta;
