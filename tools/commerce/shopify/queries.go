package shopify

// The GraphQL documents the connector sends. Each starts with its operation,
// named, so that Shopify's logs and the test stub can tell them apart.

const orderFields = `
fragment OrderFields on Order {
  id
  name
  createdAt
  cancelledAt
  cancelReason
  cancellation { staffNote }
  displayFinancialStatus
  displayFulfillmentStatus
  returnStatus
  currencyCode
  presentmentCurrencyCode
  paymentGatewayNames
  customer { id }
  shippingAddress { ...AddressFields }
  lineItems(first: 100) { pageInfo { hasNextPage endCursor } nodes { ...LineItemFields } }
  fulfillments(first: 50) {
    id
    status
    displayStatus
    createdAt
    updatedAt
    inTransitAt
    deliveredAt
    estimatedDeliveryAt
    trackingInfo(first: 10) { company number url }
    fulfillmentLineItems(first: 100) { nodes { quantity lineItem { id } } }
  }
  transactions(first: 100) {
    id
    kind
    status
    gateway
    processedAt
    parentTransaction { id }
    amountSet { shopMoney { amount currencyCode } }
  }
  refunds(first: 100) {
    id
    note
    createdAt
    totalRefundedSet { shopMoney { amount currencyCode } }
    transactions(first: 20) { nodes { id } }
  }
}
` + lineItemFields + addressFields

const lineItemFields = `
fragment LineItemFields on LineItem {
  id
  name
  quantity
  refundableQuantity
  variant { id selectedOptions { name value } }
  product { id }
  discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount currencyCode } }
}
`

const addressFields = `
fragment AddressFields on MailingAddress { address1 address2 city provinceCode zip countryCodeV2 }
`

const queryOrder = `query Order($id: ID!) {
  order(id: $id) { ...OrderFields }
}
` + orderFields

const queryOrderByName = `query OrderByName($query: String!) {
  orders(first: 1, query: $query) { nodes { ...OrderFields } }
}
` + orderFields

const queryOrderLineItems = `query OrderLineItems($id: ID!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LineItemFields } }
  }
}
` + lineItemFields

const customerFields = `
fragment CustomerFields on Customer {
  id
  firstName
  lastName
  defaultEmailAddress { emailAddress }
  defaultPhoneNumber { phoneNumber }
  locale
  defaultAddress { ...AddressFields }
  orders(first: 100, sortKey: CREATED_AT, reverse: true) { nodes { id name } }
}
` + addressFields

const queryCustomer = `query Customer($id: ID!) {
  customer(id: $id) { ...CustomerFields }
}
` + customerFields

const queryFindCustomers = `query FindCustomers($query: String!) {
  customers(first: 10, query: $query) { nodes { ...CustomerFields } }
}
` + customerFields

const queryProduct = `query Product($id: ID!) {
  shop { currencyCode }
  product(id: $id) {
    id
    title
    variants(first: 250) { nodes { id price availableForSale selectedOptions { name value } } }
  }
}
`

const mutationRefundCreate = `mutation RefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund { id note }
    order { ...OrderFields }
    userErrors { field message }
  }
}
` + orderFields

const mutationOrderCancel = `mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
`

const queryJob = `query Job($id: ID!) {
  job(id: $id) { id done }
}
`

const mutationOrderUpdate = `mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { ...OrderFields }
    userErrors { field message }
  }
}
` + orderFields
