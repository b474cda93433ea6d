module github.com/huecast/huecast

go 1.26.8

require (
	fyne.io/fyne/v2 v2.8.1
	github.com/gorilla/websocket v1.5.3
)

require (
	github.com/BurntSushi/toml v1.6.0
	rsc.io/qr v0.2.0
)
