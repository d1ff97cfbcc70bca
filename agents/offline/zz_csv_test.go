package offline

import (
	"encoding/csv"
	"io"
)

func csvReadAll(r io.Reader) ([][]string, error) { return csv.NewReader(r).ReadAll() }
