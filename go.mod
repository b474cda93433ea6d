module github.com/huecast/huecast

go 1.26.8

require (
	fyne.io/fyne/v2 v2.8.1
	github.com/gorilla/websocket v1.5.3
)

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	rsc.io/qr v0.2.0
)

require github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
