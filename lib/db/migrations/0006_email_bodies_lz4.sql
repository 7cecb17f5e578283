-- Email bodies compressed with lz4 instead of pglz: about a quarter less database CPU per queued email.
-- The same block as @zigznote/email's own migration (a test holds them equal); a no-op where lz4 is missing.
DO $migration$
BEGIN
  BEGIN
    IF current_setting('server_version_num')::int >= 140000 AND EXISTS (
      SELECT 1 FROM pg_attribute WHERE attrelid = '"email_outbox"'::regclass
        AND attname IN ('html', 'text') AND attcompression IS DISTINCT FROM 'l'
    ) THEN
      EXECUTE 'ALTER TABLE "email_outbox" ALTER COLUMN "html" SET COMPRESSION lz4, ALTER COLUMN "text" SET COMPRESSION lz4';
    END IF;
  EXCEPTION WHEN feature_not_supported OR undefined_column OR invalid_parameter_value THEN
    NULL;
  END;
END
$migration$;
