-- The per-seller counters of 0400 were kept by row triggers: one upsert of the seller's counter
-- row per inserted, deleted or revived row. A statement that inserts many rows of one seller
-- (a bulk load, the benchmark's growth phase) then updated the same counter row once per row
-- inside one transaction, and each update had to walk past every dead version left by the
-- previous ones: quadratic, over 7 minutes for 10^6 adverts. Statement triggers with transition
-- tables add each statement's rows in one upsert per seller.

DROP TRIGGER mp_adverts_count ON mp_adverts;
DROP TRIGGER mp_invoices_count ON mp_invoices;
DROP TRIGGER mp_variants_count ON mp_variants;
DROP TRIGGER mp_variants_count_live ON mp_variants;
DROP FUNCTION mp_count_rows();

-- Adverts and invoices: every row counts one (TG_ARGV[0] is the kind); inserted rows add,
-- deleted rows take away.
CREATE FUNCTION mp_count_statement_rows() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO mp_seller_counts (seller_id, kind, n)
            SELECT seller_id, TG_ARGV[0], COUNT(*) FROM new_rows GROUP BY seller_id
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    ELSE
        INSERT INTO mp_seller_counts (seller_id, kind, n)
            SELECT seller_id, TG_ARGV[0], -COUNT(*) FROM old_rows GROUP BY seller_id
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Variants count while live (`live` is 1 or 0): the statement's new rows add their `live`, its
-- old rows take theirs away (an update has both, so only changes of `live` move the count).
CREATE FUNCTION mp_count_live_variants() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO mp_seller_counts (seller_id, kind, n)
            SELECT seller_id, 'live_variants', SUM(live) FROM new_rows
            GROUP BY seller_id HAVING SUM(live) <> 0
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO mp_seller_counts (seller_id, kind, n)
            SELECT seller_id, 'live_variants', -SUM(live) FROM old_rows
            GROUP BY seller_id HAVING SUM(live) <> 0
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    ELSE
        INSERT INTO mp_seller_counts (seller_id, kind, n)
            SELECT seller_id, 'live_variants', SUM(delta) FROM (
                SELECT seller_id, live AS delta FROM new_rows
                UNION ALL
                SELECT seller_id, -live AS delta FROM old_rows
            ) changes
            GROUP BY seller_id HAVING SUM(delta) <> 0
            ON CONFLICT (seller_id, kind) DO UPDATE SET n = mp_seller_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER mp_adverts_count_inserted AFTER INSERT ON mp_adverts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_statement_rows('adverts');
CREATE TRIGGER mp_adverts_count_deleted AFTER DELETE ON mp_adverts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_statement_rows('adverts');
CREATE TRIGGER mp_invoices_count_inserted AFTER INSERT ON mp_invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_statement_rows('invoices');
CREATE TRIGGER mp_invoices_count_deleted AFTER DELETE ON mp_invoices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_statement_rows('invoices');
CREATE TRIGGER mp_variants_count_inserted AFTER INSERT ON mp_variants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_live_variants();
CREATE TRIGGER mp_variants_count_deleted AFTER DELETE ON mp_variants
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_live_variants();
CREATE TRIGGER mp_variants_count_updated AFTER UPDATE ON mp_variants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mp_count_live_variants();
