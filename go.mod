module github.com/huecast/huecast

go 1.26.8

require (
	fyne.io/fyne/v2 v2.8.1
	github.com/gorilla/websocket v1.5.3
)

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/grandcat/zeroconf v1.0.1-0.20230119201135-e4f60f8407b1
)

require (
	github.com/cenkalti/backoff v2.2.1+incompatible // indirect
	github.com/miekg/dns v1.1.41 // indirect
	golang.org/x/net v0.35.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
