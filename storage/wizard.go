package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

type wizardRow struct {
	ID        int64
	MemberID  int64
	SpaceID   int64
	ChannelID string
	Kind      string
	Step      string
	Answers   string
	Version   int64
	ExpiresAt time.Time
	UpdatedAt time.Time
	Token     string
	AnswerIn  *string
	AnyAdmin  bool
}

func (wizardRow) TableName() string { return "wizards" }

func (r *wizardRow) toCore() (*core.Wizard, error) {
	w := &core.Wizard{ID: r.ID, MemberID: r.MemberID, SpaceID: r.SpaceID, Channel: r.ChannelID, Kind: core.Kind(r.Kind),
		Step: r.Step, Version: r.Version, ExpiresAt: r.ExpiresAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Token: r.Token, AnyAdmin: r.AnyAdmin}
	if r.AnswerIn != nil {
		w.AnswerIn = *r.AnswerIn
	}
	if err := json.Unmarshal([]byte(r.Answers), &w.Answers); err != nil {
		return nil, fmt.Errorf("read wizard %d answers: %w", r.ID, err)
	}
	if w.Answers == nil {
		w.Answers = map[string]string{}
	}
	return w, nil
}

func answersJSON(w *core.Wizard) (string, error) {
	if w.Answers == nil {
		return "{}", nil
	}
	b, err := json.Marshal(w.Answers)
	return string(b), err
}

// StartWizard implements core.WizardStore. The earlier set-up is deleted and the new
// one inserted in one transaction; of two starts at once the unique index lets one
// insert, and the other fails with ECONFLICT.
func (db *DB) StartWizard(ctx context.Context, w *core.Wizard) error {
	answers, err := answersJSON(w)
	if err != nil {
		return err
	}
	row := wizardRow{MemberID: w.MemberID, SpaceID: w.SpaceID, ChannelID: w.Channel, Kind: string(w.Kind), Step: w.Step,
		Answers: answers, Version: 1, ExpiresAt: w.ExpiresAt.UTC(), UpdatedAt: w.UpdatedAt.UTC(), Token: w.Token, AnyAdmin: w.AnyAdmin}
	err = db.read(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("member_id = ? AND space_id = ?", w.MemberID, w.SpaceID).Delete(&wizardRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return translate(err)
	}
	w.ID, w.Version = row.ID, row.Version
	return nil
}

// Wizard implements core.WizardStore.
func (db *DB) Wizard(ctx context.Context, memberID, spaceID int64, now time.Time) (*core.Wizard, error) {
	var row wizardRow
	err := db.read(ctx).Where("member_id = ? AND space_id = ? AND expires_at > ?", memberID, spaceID, now.UTC()).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return row.toCore()
}

// SaveWizard implements core.WizardStore with an update conditional on the version
// read and the expiry.
func (db *DB) SaveWizard(ctx context.Context, w *core.Wizard, now time.Time) error {
	answers, err := answersJSON(w)
	if err != nil {
		return err
	}
	res := db.read(ctx).Model(&wizardRow{}).
		Where("id = ? AND version = ? AND expires_at > ?", w.ID, w.Version, now.UTC()).
		Updates(map[string]any{"kind": string(w.Kind), "step": w.Step, "answers": answers, "version": w.Version + 1,
			"expires_at": w.ExpiresAt.UTC(), "updated_at": w.UpdatedAt.UTC()})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return core.Errorf(core.ECONFLICT, "error.wizard_moved")
	}
	w.Version++
	return nil
}

// EndWizard implements core.WizardStore with a delete conditional on the version.
func (db *DB) EndWizard(ctx context.Context, id, version int64) (bool, error) {
	res := db.read(ctx).Where("id = ? AND version = ?", id, version).Delete(&wizardRow{})
	if res.Error != nil {
		return false, translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// WizardByID implements core.WizardStore.
func (db *DB) WizardByID(ctx context.Context, id int64, now time.Time) (*core.Wizard, error) {
	return db.wizardWhere(ctx, "id = ? AND expires_at > ?", id, now.UTC())
}

// WizardIn implements core.WizardStore.
func (db *DB) WizardIn(ctx context.Context, memberID int64, channel string, now time.Time) (*core.Wizard, error) {
	return db.wizardWhere(ctx, "member_id = ? AND answer_in = ? AND expires_at > ?", memberID, channel, now.UTC())
}

// wizardWhere reads the one set-up the condition finds, with its space.
func (db *DB) wizardWhere(ctx context.Context, cond string, args ...any) (*core.Wizard, error) {
	var row wizardRow
	err := db.read(ctx).Where(cond, args...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	w, err := row.toCore()
	if err != nil {
		return nil, err
	}
	var sp spaceRow
	if err := db.read(ctx).Where("id = ?", row.SpaceID).Take(&sp).Error; err != nil {
		return nil, translate(err)
	}
	w.Space = sp.toCore()
	return w, nil
}

// BindWizard implements core.WizardStore: in one transaction the member's set-up
// answered in channel before lets go of it, and an update conditional on the
// token, the expiry and the member (or the set-up being open to any admin) takes
// it. An admin taking a set-up open to any admin gives up their own in its space,
// one per member and space.
func (db *DB) BindWizard(ctx context.Context, id int64, token string, memberID int64, channel string, now time.Time) (bool, error) {
	bound := false
	err := db.read(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&wizardRow{}).Where("member_id = ? AND answer_in = ? AND id <> ?", memberID, channel, id).
			Update("answer_in", nil).Error; err != nil {
			return err
		}
		if err := tx.Where("member_id = ? AND id <> ? AND space_id = (SELECT space_id FROM wizards w WHERE w.id = ? AND w.any_admin AND w.member_id <> ?)",
			memberID, id, id, memberID).Delete(&wizardRow{}).Error; err != nil {
			return err
		}
		res := tx.Model(&wizardRow{}).
			Where("id = ? AND token = ? AND expires_at > ? AND (member_id = ? OR any_admin)", id, token, now.UTC(), memberID).
			Updates(map[string]any{"answer_in": channel, "member_id": memberID, "any_admin": false})
		if res.Error != nil {
			return res.Error
		}
		bound = res.RowsAffected == 1
		return nil
	})
	if err != nil {
		return false, translate(err)
	}
	return bound, nil
}
