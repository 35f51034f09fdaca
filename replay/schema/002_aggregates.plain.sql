-- Plain PostgreSQL: the 5m/15m/1h/4h/1d aggregates of the 1m candles as ordinary views over date_bin (epoch-aligned,
-- UTC). Same names and columns as the TimescaleDB continuous aggregates, so readers query both the same way.
-- A view shows every bucket that has 1m rows, including the one still in progress: readers drop a final bucket that
-- the 1m data do not cover to its end (no look-ahead).

CREATE OR REPLACE VIEW candles_5m AS
SELECT symbol,
       date_bin(INTERVAL '5 minutes', time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS time,
       (array_agg(open ORDER BY time ASC))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY time DESC))[1] AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, 2;

CREATE OR REPLACE VIEW candles_15m AS
SELECT symbol,
       date_bin(INTERVAL '15 minutes', time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS time,
       (array_agg(open ORDER BY time ASC))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY time DESC))[1] AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, 2;

CREATE OR REPLACE VIEW candles_1h AS
SELECT symbol,
       date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS time,
       (array_agg(open ORDER BY time ASC))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY time DESC))[1] AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, 2;

CREATE OR REPLACE VIEW candles_4h AS
SELECT symbol,
       date_bin(INTERVAL '4 hours', time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS time,
       (array_agg(open ORDER BY time ASC))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY time DESC))[1] AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, 2;

CREATE OR REPLACE VIEW candles_1d AS
SELECT symbol,
       date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS time,
       (array_agg(open ORDER BY time ASC))[1] AS open,
       max(high) AS high,
       min(low) AS low,
       (array_agg(close ORDER BY time DESC))[1] AS close,
       sum(volume) AS volume,
       sum(trades)::bigint AS trades,
       CASE WHEN sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap,
       count(*)::integer AS bars
FROM candles
WHERE timeframe = '1m'
GROUP BY symbol, 2;
