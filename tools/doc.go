// Package tools will hold the tool specs and registry the agents call — order lookup, parcel
// tracking, refunds, cancellation, EU VAT and cash-on-delivery rules — each declaring its side
// effects, confirmation and approval needs.
//
// It is not built yet: the foundation's offline engine hands order questions to a human.
package tools
