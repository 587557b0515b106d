-- The tenant's own SMTP server, through which dealer users also get their notices by e-mail.
-- One per tenant; no row means no e-mail.
CREATE TABLE mail_servers (
    tenant_id BIGINT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    host TEXT NOT NULL,
    port BIGINT NOT NULL CHECK (port BETWEEN 1 AND 65535),
    -- 'tls': TLS from the first byte (port 465); 'starttls': upgraded (587); 'none': a trusted relay
    security TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'none')),
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    from_address TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- NULL: not to be mailed (no mail server, or no address); 'pending' until a mail job sends it;
-- 'sent'; 'undeliverable' when the address is malformed or the server refuses it for good.
ALTER TABLE messages ADD COLUMN mail_status TEXT CHECK (mail_status IN ('pending', 'sent', 'undeliverable'));
