-- Rate-limit budgets shared by every node: token buckets per principal, and sliding windows of
-- wrong logins and coupon checks. Without them each node kept its own counts, so two nodes gave
-- an attacker twice the budget.
--
-- UNLOGGED: a token bucket is charged on every request, and writing WAL (and waiting for its
-- flush) for that would cost more than the request. A database crash empties these tables,
-- which forgives every budget once; nothing else is lost.
CREATE UNLOGGED TABLE rate_buckets (
    key TEXT PRIMARY KEY,
    -- Thousandths of a token.
    milli_tokens BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    -- When the bucket is full again: from then on the row means nothing and is swept.
    full_at_ms BIGINT NOT NULL
);
CREATE INDEX rate_buckets_full_at ON rate_buckets (full_at_ms);

CREATE UNLOGGED TABLE rate_windows (
    key TEXT PRIMARY KEY,
    -- Times of the events still in the window, oldest first.
    times BIGINT[] NOT NULL,
    -- When the newest event leaves the window: from then on the row is swept.
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX rate_windows_expires_at ON rate_windows (expires_at_ms);

-- One token-bucket step, atomic per key (the row lock orders concurrent callers on every
-- node): refill to p_now, then take p_need if the bucket holds it. A new key starts full.
CREATE FUNCTION rate_take(p_key TEXT, p_need BIGINT, p_full BIGINT, p_rate BIGINT, p_now BIGINT)
RETURNS TABLE (taken INT, milli_left BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    m BIGINT;
    t BIGINT;
    ok BOOLEAN;
BEGIN
    INSERT INTO rate_buckets AS b (key, milli_tokens, at_ms, full_at_ms)
    VALUES (p_key, p_full, p_now, p_now)
    ON CONFLICT (key) DO NOTHING;
    SELECT b.milli_tokens, b.at_ms INTO m, t FROM rate_buckets b WHERE b.key = p_key FOR UPDATE;
    IF p_now > t THEN
        -- The elapsed time is capped at p_full ms (a full refill at the slowest rate), so the
        -- product cannot overflow.
        m := LEAST(p_full, m + LEAST(p_now - t, p_full) * p_rate);
        t := p_now;
    END IF;
    ok := m >= p_need;
    IF ok THEN
        m := m - p_need;
    END IF;
    UPDATE rate_buckets b
    SET milli_tokens = m,
        at_ms = t,
        full_at_ms = CASE WHEN p_rate > 0 THEN t + (p_full - m) / p_rate + 1 ELSE 9223372036854775807 END
    WHERE b.key = p_key;
    RETURN QUERY SELECT ok::INT, m;
END
$$;

-- One sliding-window event, atomic per key: forget events older than p_window, then count one
-- at p_now unless p_limit remain. Returns whether it was counted and the oldest event's time.
CREATE FUNCTION rate_hit(p_key TEXT, p_limit INT, p_window BIGINT, p_now BIGINT)
RETURNS TABLE (counted INT, oldest_ms BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    ts BIGINT[];
    ok BOOLEAN;
BEGIN
    INSERT INTO rate_windows AS w (key, times, expires_at_ms)
    VALUES (p_key, '{}', p_now)
    ON CONFLICT (key) DO NOTHING;
    SELECT w.times INTO ts FROM rate_windows w WHERE w.key = p_key FOR UPDATE;
    ts := ARRAY(SELECT x FROM unnest(ts) WITH ORDINALITY AS u(x, i) WHERE p_now - x < p_window ORDER BY i);
    ok := cardinality(ts) < p_limit;
    IF ok THEN
        ts := ts || p_now;
    END IF;
    UPDATE rate_windows w
    SET times = ts,
        expires_at_ms = COALESCE(ts[cardinality(ts)], p_now) + p_window
    WHERE w.key = p_key;
    RETURN QUERY SELECT ok::INT, COALESCE(ts[1], p_now);
END
$$;
