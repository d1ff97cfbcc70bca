-- Who a signed identity token says the customer is (the shop's customer ID, e-mail or
-- verified phone), recorded when the conversation starts; the tools resolve it through the
-- shop. NULL: the customer proves who they are in the conversation, if at all.
ALTER TABLE conversations ADD COLUMN identity jsonb;
