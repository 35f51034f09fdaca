-- Base tables. Primary keys make every ingest idempotent: re-importing a file inserts nothing new.
-- Times are timestamptz (UTC); prices and volumes double precision (PostgreSQL prints them shortest-exact, so a
-- value read back is the value written). Symbols and timeframes use the "C" collation: byte order, the cheapest key
-- comparison for the primary-key indexes whatever the database's default locale.

CREATE TABLE IF NOT EXISTS candles (
  symbol     text COLLATE "C" NOT NULL,  -- canonical 'BASE/QUOTE', e.g. 'BTC/USD'
  timeframe  text COLLATE "C" NOT NULL,  -- '1m', '5m', '1h', …
  time       timestamptz      NOT NULL,  -- bar open time
  open       double precision NOT NULL,
  high       double precision NOT NULL,
  low        double precision NOT NULL,
  close      double precision NOT NULL,
  volume     double precision NOT NULL,
  trades     integer,
  vwap       double precision,
  PRIMARY KEY (symbol, timeframe, time),
  CHECK (low <= high AND volume >= 0)
);

CREATE TABLE IF NOT EXISTS trades (
  symbol     text COLLATE "C" NOT NULL,
  time       timestamptz      NOT NULL,
  seq        integer          NOT NULL,  -- 0, 1, … for trades sharing one timestamp (in file order)
  price      double precision NOT NULL,
  volume     double precision NOT NULL,
  side       char(1),                    -- 'b' buy (taker bought), 's' sell, NULL unknown
  trade_id   bigint,
  PRIMARY KEY (symbol, time, seq),
  CHECK (price > 0 AND volume >= 0 AND (side IS NULL OR side IN ('b', 's')))
);

-- Order-book snapshots: one row per price level.
CREATE TABLE IF NOT EXISTS book_snapshots (
  symbol     text COLLATE "C" NOT NULL,
  time       timestamptz      NOT NULL,
  side       char(1)          NOT NULL CHECK (side IN ('b', 'a')),  -- bid / ask
  level      smallint         NOT NULL,                            -- 0 = best
  price      double precision NOT NULL,
  volume     double precision NOT NULL,
  PRIMARY KEY (symbol, time, side, level)
);

-- Order-book aggregates per bar (what features consume).
CREATE TABLE IF NOT EXISTS book_aggregates (
  symbol     text COLLATE "C" NOT NULL,
  timeframe  text COLLATE "C" NOT NULL,
  time       timestamptz      NOT NULL,
  best_bid   double precision,
  best_ask   double precision,
  spread     double precision,
  bid_depth  double precision,  -- volume within the captured levels
  ask_depth  double precision,
  imbalance  double precision,  -- (bid_depth - ask_depth) / (bid_depth + ask_depth)
  PRIMARY KEY (symbol, timeframe, time)
);
