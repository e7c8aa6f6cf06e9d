package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// taskMigrations create the tables of the task aggregate.
func taskMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type taskJob struct {
		CampaignID     int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign       *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Instructions   string    `gorm:"type:text;not null;default:''"`
		AnswerType     string    `gorm:"size:8;not null"`
		Choices        string    `gorm:"type:text;not null;default:'[]'"`
		PerItem        int       `gorm:"not null"`
		RewardAmount   int64     `gorm:"not null;default:0"`
		RewardCurrency string    `gorm:"size:3;not null;default:''"`
		LeaseSeconds   int       `gorm:"not null"`
		Items          int       `gorm:"not null;default:0"`
	}
	// ix_task_items_next serves handing out: the open items of a job, most answered
	// first, in import order. The lease columns are in no index, so that taking and
	// giving back an item is a HOT update on Postgres and leaves the indexes alone.
	type taskItem struct {
		ID         int64     `gorm:"primaryKey;index:ix_task_items_next,priority:3"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_task_items_row,priority:1;index:ix_task_items_next,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		RowNo      int       `gorm:"not null;uniqueIndex:ux_task_items_row,priority:2"`
		Text       string    `gorm:"type:text;not null;default:''"`
		MediaURL   string    `gorm:"size:500;not null;default:''"`
		Gold       *string   `gorm:"type:text"`
		Answers    int       `gorm:"not null;default:0;index:ix_task_items_next,priority:2,sort:desc"`
		Settled    bool      `gorm:"not null;default:false"`
		Flagged    bool      `gorm:"not null;default:false"`
		Agreed     string    `gorm:"type:text;not null;default:''"`
		LeasedBy   *int64
		LeaseUntil *time.Time
		CreatedAt  time.Time
	}
	// ux_task_answers is the rule that no member answers an item twice;
	// ix_task_answers_member lets handing out skip a member's own answers without
	// reading every answer of the job; ix_task_answers_review walks the answers
	// waiting for an admin.
	type taskAnswer struct {
		ID         int64     `gorm:"primaryKey;index:ix_task_answers_review,priority:3"`
		CampaignID int64     `gorm:"not null;index:ix_task_answers_review,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		ItemID     int64     `gorm:"not null;uniqueIndex:ux_task_answers,priority:1;index:ix_task_answers_member,priority:2"`
		Item       *taskItem `gorm:"foreignKey:ItemID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null;uniqueIndex:ux_task_answers,priority:2;index:ix_task_answers_member,priority:1"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Value      string    `gorm:"type:text;not null"`
		Status     string    `gorm:"size:10;not null;index:ix_task_answers_review,priority:2"`
		ReviewedBy *int64
		ReviewedAt *time.Time
		CreatedAt  time.Time
	}
	type taskSkip struct {
		ItemID    int64     `gorm:"primaryKey;autoIncrement:false"`
		Item      *taskItem `gorm:"foreignKey:ItemID;constraint:OnDelete:CASCADE"`
		MemberID  int64     `gorm:"primaryKey;autoIncrement:false"`
		Member    *member   `gorm:"foreignKey:MemberID"`
		CreatedAt time.Time
	}
	// a member's record in a job, with the item they were last handed
	type taskWorker struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"primaryKey;autoIncrement:false;index"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Answers    int       `gorm:"not null;default:0"`
		Gold       int       `gorm:"not null;default:0"`
		GoldRight  int       `gorm:"not null;default:0"`
		LeasedItem *int64
	}
	m := create("0050_tasks", &taskJob{}, &taskItem{}, &taskAnswer{}, &taskSkip{}, &taskWorker{})
	createTables := m.Migrate
	m.Migrate = func(tx *gorm.DB) error {
		if err := createTables(tx); err != nil {
			return err
		}
		if tx.Dialector.Name() != "postgres" {
			return nil
		}
		// room on each page for the new versions of items as leases come and go,
		// so those updates stay on the page (HOT) instead of touching every index
		return tx.Exec("ALTER TABLE task_items SET (fillfactor = 80)").Error
	}
	return []*gormigrate.Migration{m}
}
