package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
)

// TestDiscordStart runs crowdbot with a Discord token, application id and public key
// against the fakes: it registers the slash commands, connects to the gateway,
// answers signed interactions on the web server, and stops cleanly.
func TestDiscordStart(t *testing.T) {
	const token, appID = "MTAw.fake.token", "900000000000000001"
	rest := dcfake.NewREST(t, token)
	gw := dcfake.NewGateway(t, token, appID)
	rest.GatewayURL = gw.WebsocketURL()
	dc := dcfake.NewDiscord(t, rest, appID, time.Now)
	addr := freeAddr(t)
	env := map[string]string{
		"CROWDBOT_HTTP_ADDR":          addr,
		"CROWDBOT_DATABASE_URL":       filepath.Join(t.TempDir(), "c.db"),
		"CROWDBOT_DISCORD_TOKEN":      token,
		"CROWDBOT_DISCORD_APP_ID":     appID,
		"CROWDBOT_DISCORD_PUBLIC_KEY": dc.PublicKeyHex(),
		"CROWDBOT_DISCORD_API_BASE":   rest.APIBase(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr botstest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr) }()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit code %d\n%s", code, stderr.String())
			}
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Error("serve did not stop")
		}
		if strings.Contains(stderr.String(), token) {
			t.Error("the token was logged")
		}
	}()

	gw.Wait(t, dcfake.OpIdentify, 1)
	rest.Wait(t, "the commands registered", func(cs []dcfake.Call) bool {
		for _, c := range cs {
			if c.Method == "PUT" && c.Path == "/applications/"+appID+"/commands" && c.Status == http.StatusOK {
				return true
			}
		}
		return false
	})
	url := "http://" + addr + discord.InteractionsPath
	for deadline := time.Now().Add(10 * time.Second); ; {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no web server:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a := dc.Deliver(t, url, dc.Ping()); a.Status != http.StatusOK || a.Type != 1 {
		t.Fatalf("PING: %d %s", a.Status, a.Body)
	}
	if a := dc.Post(t, url, dc.Ping(), time.Now(), false); a.Status != http.StatusUnauthorized {
		t.Fatalf("unsigned PING: %d", a.Status)
	}
	who := dcfake.User{ID: "700000000000000002", Username: "bob"}
	a := dc.Deliver(t, url, dc.Command(who, dcfake.Where{Guild: "800000000000000001", Channel: "810000000000000001"}, "help", "", nil))
	if a.Status != http.StatusOK || a.Type != 4 || !strings.Contains(a.Data["content"].(string), "/idea") {
		t.Fatalf("/help: %d %s", a.Status, a.Body)
	}
	var cmds []map[string]any
	raw, _ := json.Marshal(rest.Commands(appID, ""))
	_ = json.Unmarshal(raw, &cmds)
	if len(cmds) == 0 || len(rest.Refused()) > 0 {
		t.Fatalf("commands %d, refused %v", len(cmds), rest.Refused())
	}
	for _, want := range []string{"discord interactions endpoint ready", "gateway connected", "slash commands registered"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestDiscordConfig(t *testing.T) {
	if _, err := loadConfig("", envOf(nil)); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "c.yaml", "discord:\n  guild_id: my-server\n")
	if _, err := loadConfig(path, envOf(nil)); err == nil || !strings.Contains(err.Error(), "discord.guild_id") {
		t.Errorf("a guild id that is not a snowflake: %v", err)
	}
	path = writeFile(t, "c.yaml", "discord:\n  guild_id: \"800000000000000001\"\n  admin_role: Crowd Team\n")
	cfg, err := loadConfig(path, envOf(map[string]string{"CROWDBOT_DISCORD_API_BASE": "http://127.0.0.1:1/api/v10"}))
	if err != nil || cfg.Discord.GuildID != "800000000000000001" || cfg.Discord.AdminRole != "Crowd Team" || cfg.Discord.APIBase == "" {
		t.Errorf("%+v %v", cfg.Discord, err)
	}
}
