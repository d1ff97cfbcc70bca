package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.json
var openapiDoc []byte

func (h *handlers) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openapiDoc)
}
