package pgstore

// EfSearch is the HNSW candidate list Store.Search runs with, for the benchmark to compare.
const EfSearch = efSearch

// RRFK and TextWeight are the constants of the store's rank fusion, for the benchmark's
// what-if re-fusions.
const (
	RRFK       = rrfK
	TextWeight = textWeight
)
