package shopify

import "time"

// Wire types: the JSON shapes of the fields the queries select.

type moneyV2 struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
}

type moneyBag struct {
	ShopMoney moneyV2 `json:"shopMoney"`
}

type mailingAddress struct {
	Address1      string `json:"address1"`
	Address2      string `json:"address2"`
	City          string `json:"city"`
	ProvinceCode  string `json:"provinceCode"`
	Zip           string `json:"zip"`
	CountryCodeV2 string `json:"countryCodeV2"`
}

type selectedOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type idOnly struct {
	ID string `json:"id"`
}

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type lineItemNode struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Quantity           int    `json:"quantity"`
	RefundableQuantity int    `json:"refundableQuantity"`
	Variant            *struct {
		ID              string           `json:"id"`
		SelectedOptions []selectedOption `json:"selectedOptions"`
	} `json:"variant"`
	Product   *idOnly  `json:"product"`
	UnitPrice moneyBag `json:"discountedUnitPriceAfterAllDiscountsSet"`
}

type lineItemConnection struct {
	PageInfo pageInfo       `json:"pageInfo"`
	Nodes    []lineItemNode `json:"nodes"`
}

type fulfillmentNode struct {
	ID                  string    `json:"id"`
	Status              string    `json:"status"`
	DisplayStatus       string    `json:"displayStatus"`
	CreatedAt           time.Time `json:"createdAt"`
	UpdatedAt           time.Time `json:"updatedAt"`
	InTransitAt         time.Time `json:"inTransitAt"`
	DeliveredAt         time.Time `json:"deliveredAt"`
	EstimatedDeliveryAt time.Time `json:"estimatedDeliveryAt"`
	TrackingInfo        []struct {
		Company string `json:"company"`
		Number  string `json:"number"`
	} `json:"trackingInfo"`
	FulfillmentLineItems struct {
		Nodes []struct {
			Quantity int    `json:"quantity"`
			LineItem idOnly `json:"lineItem"`
		} `json:"nodes"`
	} `json:"fulfillmentLineItems"`
}

type transactionNode struct {
	ID                string    `json:"id"`
	Kind              string    `json:"kind"`
	Status            string    `json:"status"`
	Gateway           string    `json:"gateway"`
	ProcessedAt       time.Time `json:"processedAt"`
	ParentTransaction *idOnly   `json:"parentTransaction"`
	AmountSet         moneyBag  `json:"amountSet"`
}

type refundNode struct {
	ID           string    `json:"id"`
	Note         string    `json:"note"`
	CreatedAt    time.Time `json:"createdAt"`
	Transactions struct {
		Nodes []idOnly `json:"nodes"`
	} `json:"transactions"`
}

type orderNode struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	CreatedAt    time.Time `json:"createdAt"`
	CancelledAt  time.Time `json:"cancelledAt"`
	CancelReason string    `json:"cancelReason"`
	Cancellation *struct {
		StaffNote string `json:"staffNote"`
	} `json:"cancellation"`
	DisplayFinancialStatus   string             `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string             `json:"displayFulfillmentStatus"`
	ReturnStatus             string             `json:"returnStatus"`
	CurrencyCode             string             `json:"currencyCode"`
	PresentmentCurrencyCode  string             `json:"presentmentCurrencyCode"`
	PaymentGatewayNames      []string           `json:"paymentGatewayNames"`
	Customer                 *idOnly            `json:"customer"`
	ShippingAddress          *mailingAddress    `json:"shippingAddress"`
	LineItems                lineItemConnection `json:"lineItems"`
	Fulfillments             []fulfillmentNode  `json:"fulfillments"`
	Transactions             []transactionNode  `json:"transactions"`
	Refunds                  []refundNode       `json:"refunds"`
}

type customerNode struct {
	ID                  string `json:"id"`
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	DefaultEmailAddress *struct {
		EmailAddress string `json:"emailAddress"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
	Locale         string          `json:"locale"`
	DefaultAddress *mailingAddress `json:"defaultAddress"`
	Orders         struct {
		Nodes []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"nodes"`
	} `json:"orders"`
}

type productNode struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Variants struct {
		Nodes []struct {
			ID               string           `json:"id"`
			Price            string           `json:"price"`
			AvailableForSale bool             `json:"availableForSale"`
			SelectedOptions  []selectedOption `json:"selectedOptions"`
		} `json:"nodes"`
	} `json:"variants"`
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}
