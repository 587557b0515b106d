-- What stopped the last attempt to exchange with a partner: writing its documents (ORDRSP,
-- DESADV), reading its folder's `in/` or writing its `out/`. Until then such problems reached
-- only the server's log; the partners page now shows them until that stage goes through again.
-- `problem_since` is when the problem began, kept while it recurs.
ALTER TABLE edi_partners ADD COLUMN problem_stage TEXT CHECK (problem_stage IN ('documents', 'inbox', 'outbox'));
ALTER TABLE edi_partners ADD COLUMN problem TEXT;
ALTER TABLE edi_partners ADD COLUMN problem_since TIMESTAMPTZ;
