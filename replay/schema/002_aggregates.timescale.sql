-- tg4:no-transaction  (continuous aggregates cannot be created inside a transaction block)
-- TimescaleDB: hypertables, compression of chunks older than 30 days, and continuous aggregates 5m/15m/1h/4h/1d of the
-- 1m candles (real-time: materialized_only = false, so the newest buckets are computed on the fly), refreshed by policy.
CREATE EXTENSION IF NOT EXISTS timescaledb;
SELECT create_hypertable('candles', 'time', chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('trades', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('book_snapshots', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('book_aggregates', 'time', chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE, migrate_data => TRUE);
ALTER TABLE candles SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol, timeframe', timescaledb.compress_orderby = 'time');
SELECT add_compression_policy('candles', INTERVAL '30 days', if_not_exists => TRUE);
ALTER TABLE trades SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol', timescaledb.compress_orderby = 'time, seq');
SELECT add_compression_policy('trades', INTERVAL '7 days', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_5m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT symbol,
       time_bucket(INTERVAL '5 minutes', time) AS time,
       first(open, time) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, time) AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, time_bucket(INTERVAL '5 minutes', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_5m', start_offset => NULL, end_offset => INTERVAL '5 minutes', schedule_interval => INTERVAL '5 minutes', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_15m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT symbol,
       time_bucket(INTERVAL '15 minutes', time) AS time,
       first(open, time) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, time) AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, time_bucket(INTERVAL '15 minutes', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_15m', start_offset => NULL, end_offset => INTERVAL '15 minutes', schedule_interval => INTERVAL '15 minutes', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT symbol,
       time_bucket(INTERVAL '1 hour', time) AS time,
       first(open, time) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, time) AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, time_bucket(INTERVAL '1 hour', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_1h', start_offset => NULL, end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_4h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT symbol,
       time_bucket(INTERVAL '4 hours', time) AS time,
       first(open, time) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, time) AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, time_bucket(INTERVAL '4 hours', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_4h', start_offset => NULL, end_offset => INTERVAL '4 hours', schedule_interval => INTERVAL '4 hours', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT symbol,
       time_bucket(INTERVAL '1 day', time) AS time,
       first(open, time) AS open,
       max(high) AS high,
       min(low) AS low,
       last(close, time) AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, time_bucket(INTERVAL '1 day', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('candles_1d', start_offset => NULL, end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 day', if_not_exists => TRUE);
