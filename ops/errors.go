package ops

import (
	"errors"

	"github.com/newsbot/newsbot/feed"
)

func asFetchError(err error, target **feed.FetchError) bool {
	return err != nil && errors.As(err, target)
}
