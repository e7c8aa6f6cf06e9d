package main

import (
	"strings"
	"testing"
)

func TestBallotKeyConfig(t *testing.T) {
	cfg, err := loadConfig("", envOf(map[string]string{"CROWDBOT_BALLOT_KEY": "a long enough ballot key"}))
	if err != nil || string(cfg.settings().BallotKey) != "a long enough ballot key" {
		t.Fatalf("env ballot key: %q %v", cfg.settings().BallotKey, err)
	}
	path := writeFile(t, "key", "from a file, trimmed\n")
	cfg, err = loadConfig(writeFile(t, "c.yaml", "polls:\n  ballot_key_file: "+path+"\n"), envOf(nil))
	if err != nil || string(cfg.settings().BallotKey) != "from a file, trimmed" {
		t.Fatalf("ballot key file: %q %v", cfg.settings().BallotKey, err)
	}
	if _, err := loadConfig("", envOf(map[string]string{"CROWDBOT_BALLOT_KEY": "short"})); err == nil || !strings.Contains(err.Error(), "polls.ballot_key_file") || strings.Contains(err.Error(), "short") {
		t.Fatalf("short key: %v", err)
	}
	if cfg, _ := loadConfig("", envOf(nil)); len(cfg.settings().BallotKey) != 0 {
		t.Fatal("a ballot key out of nowhere")
	}
}
