-- EDI: partners, every interchange in and out (the archive), and the messages inside them.

-- The manufacturer's own GLN: the sender of its interchanges and its party in NAD+SU.
ALTER TABLE tenants ADD COLUMN gln TEXT;

-- A dealer that exchanges EANCOM messages, and how it wants them.
CREATE TABLE edi_partners (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    dealer_id BIGINT NOT NULL REFERENCES dealers (id),
    -- the partner's identification in UNB (a GLN with qualifier 14, or an operator's mailbox id)
    interchange_id TEXT NOT NULL,
    interchange_qualifier TEXT NOT NULL,
    -- the EANCOM subset: D96A (EANCOM 97) or D01B (EANCOM 2002)
    directory TEXT NOT NULL CHECK (directory IN ('D96A', 'D01B')),
    syntax TEXT NOT NULL,
    syntax_version BIGINT NOT NULL CHECK (syntax_version BETWEEN 2 AND 4),
    -- 'api': the partner posts to the inbox and fetches from the outbox; 'directory': a folder pair
    channel TEXT NOT NULL CHECK (channel IN ('api', 'directory')),
    directory_path TEXT,
    -- comma-separated message types, such as 'ORDERS,RECADV' and 'ORDRSP,DESADV'
    messages_in TEXT NOT NULL,
    messages_out TEXT NOT NULL,
    -- our next interchange control reference to this partner
    next_reference BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX edi_partners_dealer ON edi_partners (tenant_id, dealer_id);
CREATE UNIQUE INDEX edi_partners_interchange_id ON edi_partners (tenant_id, interchange_id);

-- Every interchange received or sent, raw, with what became of it.
CREATE TABLE edi_interchanges (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    partner_id BIGINT REFERENCES edi_partners (id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    control_reference TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- comma-separated types of the messages inside, for lists and searches
    message_types TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    -- in: 'accepted' or 'rejected' (syntax); out: 'queued' until delivered, then 'delivered'
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'queued', 'delivered')),
    error TEXT,
    -- the syntax acknowledgement: in, whether we sent a CONTRL; out, what the partner's said
    contrl TEXT CHECK (contrl IN ('sent', 'accepted', 'rejected')),
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ
);
-- The same interchange received twice is applied once (ISO 9735: unique per sender).
CREATE UNIQUE INDEX edi_interchanges_once ON edi_interchanges (tenant_id, direction, sender, control_reference);
CREATE INDEX edi_interchanges_outbox ON edi_interchanges (tenant_id, partner_id, direction, status, id);

-- Each message of an interchange, the document it made or came from, and its answer.
CREATE TABLE edi_messages (
    id {{id}},
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    interchange_id BIGINT NOT NULL REFERENCES edi_interchanges (id),
    partner_id BIGINT REFERENCES edi_partners (id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    message_type TEXT NOT NULL,
    message_reference TEXT NOT NULL,
    -- the business document's own number (the buyer's order number, the delivery note…)
    document_number TEXT,
    -- in: 'applied', 'rejected' or 'stored'; out: 'sent'
    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'stored', 'sent')),
    order_id BIGINT REFERENCES orders (id),
    -- JSON: the problems found (in), or notes such as price differences
    errors TEXT NOT NULL,
    notes TEXT NOT NULL,
    -- the APERAK or business reply sent for it
    answer_interchange_id BIGINT REFERENCES edi_interchanges (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX edi_messages_interchange ON edi_messages (interchange_id, id);
CREATE INDEX edi_messages_order ON edi_messages (order_id);
CREATE INDEX edi_messages_search ON edi_messages (tenant_id, message_type, created_at);

-- How far the job that sends ORDRSP and DESADV has read each tenant's order events.
CREATE TABLE edi_dispatch (
    tenant_id BIGINT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    last_event_id BIGINT NOT NULL
);
