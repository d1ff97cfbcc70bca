-- The built-in commerce connector (tools/commerce/pgstore): a shop's customers, catalogue,
-- orders, parcels and money movements, kept in the service's own database. Amounts are in
-- the minor units of their currency. Every write through the connector records its
-- idempotency key in commerce_operations in the same transaction as the change.

CREATE TABLE commerce_customers (
    id         text PRIMARY KEY,
    first_name text NOT NULL,
    last_name  text NOT NULL,
    email      text NOT NULL,
    phone      text NOT NULL DEFAULT '', -- E.164
    locale     text NOT NULL DEFAULT '',
    market     text NOT NULL DEFAULT '',
    line1      text NOT NULL DEFAULT '',
    line2      text NOT NULL DEFAULT '',
    city       text NOT NULL DEFAULT '',
    state      text NOT NULL DEFAULT '',
    zip        text NOT NULL DEFAULT '',
    country    text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX commerce_customers_email ON commerce_customers (lower(email));
-- Names are matched in Go, folded (case and diacritics), among the customers of a postal code.
CREATE INDEX commerce_customers_zip ON commerce_customers (zip);
CREATE INDEX commerce_customers_phone ON commerce_customers (phone) WHERE phone <> '';

CREATE TABLE commerce_payment_methods (
    id          text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES commerce_customers (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('credit_card', 'paypal', 'gift_card', 'cod', 'bank_transfer', 'store_credit')),
    brand       text NOT NULL DEFAULT '',
    last4       text NOT NULL DEFAULT '',
    -- Gift cards and store credit only; NULL for the others.
    balance     bigint CHECK (balance >= 0),
    currency    text NOT NULL DEFAULT '',
    UNIQUE (customer_id, position)
);

CREATE TABLE commerce_products (
    id   text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE commerce_variants (
    item_id    text PRIMARY KEY,
    product_id text NOT NULL REFERENCES commerce_products (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    options    jsonb NOT NULL DEFAULT '{}',
    available  boolean NOT NULL,
    price      bigint NOT NULL CHECK (price >= 0),
    currency   text NOT NULL
);
CREATE INDEX commerce_variants_product ON commerce_variants (product_id, position);

CREATE TABLE commerce_orders (
    id               text PRIMARY KEY,
    customer_id      text NOT NULL REFERENCES commerce_customers (id) ON DELETE CASCADE,
    -- Orders of one customer list in this order (the τ² data has no timestamps).
    position         integer NOT NULL,
    market           text NOT NULL DEFAULT '',
    currency         text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'pending (item modified)', 'processed',
                         'delivered', 'cancelled', 'return requested', 'exchange requested')),
    line1            text NOT NULL DEFAULT '',
    line2            text NOT NULL DEFAULT '',
    city             text NOT NULL DEFAULT '',
    state            text NOT NULL DEFAULT '',
    zip              text NOT NULL DEFAULT '',
    country          text NOT NULL DEFAULT '',
    placed_at        timestamptz,
    delivered_at     timestamptz,
    cash_on_delivery boolean NOT NULL DEFAULT false,
    cancel_reason    text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commerce_orders_customer ON commerce_orders (customer_id, position);

-- One row per unit ordered: an order may hold the same variant twice.
CREATE TABLE commerce_order_items (
    order_id    text NOT NULL REFERENCES commerce_orders (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    item_id     text NOT NULL,
    product_id  text NOT NULL,
    name        text NOT NULL,
    options     jsonb NOT NULL DEFAULT '{}',
    price       bigint NOT NULL CHECK (price >= 0),
    currency    text NOT NULL,
    returned    boolean NOT NULL DEFAULT false,
    exchange_to text, -- the variant it is being exchanged for
    PRIMARY KEY (order_id, line)
);

CREATE TABLE commerce_fulfillments (
    order_id text NOT NULL REFERENCES commerce_orders (id) ON DELETE CASCADE,
    line     integer NOT NULL,
    carrier  text NOT NULL DEFAULT '',
    item_ids text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (order_id, line)
);

-- A tracking number of a fulfillment, with what the carrier told us about it.
CREATE TABLE commerce_parcels (
    tracking_id      text PRIMARY KEY,
    order_id         text NOT NULL,
    fulfillment_line integer NOT NULL,
    position         integer NOT NULL,
    carrier          text NOT NULL DEFAULT '',
    eta              timestamptz,
    FOREIGN KEY (order_id, fulfillment_line) REFERENCES commerce_fulfillments (order_id, line) ON DELETE CASCADE
);
CREATE INDEX commerce_parcels_fulfillment ON commerce_parcels (order_id, fulfillment_line, position);

CREATE TABLE commerce_parcel_events (
    tracking_id text NOT NULL REFERENCES commerce_parcels (tracking_id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    at          timestamptz NOT NULL,
    carrier     text NOT NULL DEFAULT '',
    code        text NOT NULL,
    location    text NOT NULL DEFAULT '',
    PRIMARY KEY (tracking_id, seq)
);

CREATE TABLE commerce_transactions (
    order_id          text NOT NULL REFERENCES commerce_orders (id) ON DELETE CASCADE,
    line              integer NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('payment', 'refund')),
    amount            bigint NOT NULL CHECK (amount >= 0),
    currency          text NOT NULL,
    payment_method_id text NOT NULL,
    -- The idempotency key of the write that made it; '' for imported history.
    key               text NOT NULL DEFAULT '',
    reason            text NOT NULL DEFAULT '',
    at                timestamptz,
    PRIMARY KEY (order_id, line)
);

-- One row per idempotency key, written in the transaction of the change it made: a repeated
-- call with the same key and request finds it and changes nothing; the same key with another
-- request is refused.
CREATE TABLE commerce_operations (
    key          text PRIMARY KEY,
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    object_id    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
